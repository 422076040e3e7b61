from socket import *

serverPort = 12000

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

while 1:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.settimeout(10)
    try:
        sentence = connectionSocket.recv(1024)
        while sentence:
            connectionSocket.sendall(sentence.upper())
            sentence = connectionSocket.recv(1024)
    except OSError:
        pass
    connectionSocket.close()
