from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print("The server is ready to receive", flush=True)

while True:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.settimeout(10)
    try:
        while True:
            sentence = connectionSocket.recv(1024)
            if not sentence:
                break
            sentence.upper()  # capitalize
            connectionSocket.sendall(sentence)
    except OSError as e:
        print("error with", addr, e, flush=True)
    connectionSocket.close()
